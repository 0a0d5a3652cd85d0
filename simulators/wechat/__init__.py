"""A local simulator of the WeChat platform (Official Account OAuth, JS-SDK tickets, mini-program
code2session) speaking WeChat's own endpoints and JSON. Shares nothing with tuangou but the wire."""

from .server import WechatSimulator, WechatUser

__all__ = ["WechatSimulator", "WechatUser"]
