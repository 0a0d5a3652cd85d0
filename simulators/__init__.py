"""Local simulators of outside services (WeChat Pay, WeChat, Alipay, SMS vendors): each speaks its
vendor's real protocol on a local port, and shares nothing with tuangou but the wire."""
