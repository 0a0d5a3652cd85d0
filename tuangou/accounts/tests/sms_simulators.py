"""The SMS vendor simulators as the tests start them: the templates and signature name "registered"
with each vendor, and the settings that point our backends at the simulator."""

import contextlib

from simulators.sms import AliyunSmsSimulator, TencentSmsSimulator

SIGN_NAME = "团购"
# What the shop registered with Aliyun (${name} variables) and Tencent Cloud ({1}, {2} … in order).
ALIYUN_TEMPLATES = {
    "SMS_100000001": "您的验证码为${code}，5分钟内有效，如非本人操作请忽略。",
    "SMS_100000002": "您购买的${campaign}已到${point}，提货码${code}，请尽快提货。",
    "SMS_100000003": "您的订单${order}已退款${amount}，将原路退回。",
    "SMS_100000004": "您在${shop}的团长申请${result}，详情请进入团长中心查看。",
    "SMS_100000005": "您的提现${amount}已打款，请注意查收。",
    "SMS_100000006": "您有一条新消息：${title}，请进入团购查看。",
}
TENCENT_TEMPLATES = {
    "1000001": "您的验证码为{1}，5分钟内有效，如非本人操作请忽略。",
    "1000002": "您购买的{1}已到{2}，提货码{3}，请尽快提货。",
    "1000003": "您的订单{1}已退款{2}，将原路退回。",
    "1000004": "您在{1}的团长申请{2}，详情请进入团长中心查看。",
    "1000005": "您的提现{1}已打款，请注意查收。",
    "1000006": "您有一条新消息：{1}，请进入团购查看。",
}
NAMES = ["login_code", "pickup_notice", "refund", "application_result", "withdrawal_paid", "notice"]


@contextlib.contextmanager
def aliyun(settings):
    simulator = AliyunSmsSimulator(
        key_id="LTAI5tSimulatorKey", key_secret="aliyun-secret-0001", templates=ALIYUN_TEMPLATES, sign_names=[SIGN_NAME]
    )
    with simulator:
        settings.SMS_BACKEND = "aliyun"
        settings.SMS_SIGN_NAME = SIGN_NAME
        settings.SMS_ALIYUN_ACCESS_KEY_ID = "LTAI5tSimulatorKey"
        settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "aliyun-secret-0001"
        settings.SMS_ALIYUN_ENDPOINT = simulator.url
        settings.SMS_TEMPLATES_ALIYUN = ",".join(f"{n}={c}" for n, c in zip(NAMES, ALIYUN_TEMPLATES))
        yield simulator


@contextlib.contextmanager
def tencent(settings):
    simulator = TencentSmsSimulator(
        sdk_app_id="1400000001",
        key_id="AKIDSimulatorKey",
        key_secret="tencent-secret-0001",
        templates=TENCENT_TEMPLATES,
        sign_names=[SIGN_NAME],
    )
    with simulator:
        settings.SMS_BACKEND = "tencent"
        settings.SMS_SIGN_NAME = SIGN_NAME
        settings.SMS_TENCENT_SECRET_ID = "AKIDSimulatorKey"
        settings.SMS_TENCENT_SECRET_KEY = "tencent-secret-0001"
        settings.SMS_TENCENT_SDK_APP_ID = "1400000001"
        settings.SMS_TENCENT_ENDPOINT = simulator.url
        settings.SMS_TEMPLATES_TENCENT = ",".join(f"{n}={c}" for n, c in zip(NAMES, TENCENT_TEMPLATES))
        yield simulator


VENDORS = {"aliyun": aliyun, "tencent": tencent}
