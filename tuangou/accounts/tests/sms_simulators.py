"""The SMS vendor simulators as the tests start them: the templates and signature name "registered"
with each vendor, and the settings that point our backends at the simulator."""

import contextlib

from simulators.sms import AliyunSmsSimulator, TencentSmsSimulator
from simulators.sms.demo import ALIYUN_TEMPLATES, NAMES, SIGN_NAME, TENCENT_TEMPLATES


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
