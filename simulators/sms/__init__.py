"""Local SMS vendor simulators (Aliyun dysmsapi 2017-05-25 and Tencent Cloud sms 2021-01-11).

Each is a stdlib HTTP server in a thread on a free port that checks our signature exactly as the
vendor does, checks sign name, template and parameters against the templates it knows, keeps an
inbox tests read, pushes delivery receipts to a callback and injects faults on demand. Nothing here
imports the product: the two share only the wire."""

from .aliyun import AliyunSmsSimulator
from .base import Fault, SentSms
from .tencent import TencentSmsSimulator

__all__ = ["AliyunSmsSimulator", "Fault", "SentSms", "TencentSmsSimulator"]
