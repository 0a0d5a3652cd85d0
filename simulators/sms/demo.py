"""The templates and signature name "registered" with each vendor in the demo account: what the
tests and `python -m simulators.sms` start the simulators with (the ids match .env.example)."""

SIGN_NAME = "团购"
# Aliyun's ${name} variables; Tencent Cloud's {1}, {2} … in order.
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
# Our template names in the order of the ids above (SMS_TEMPLATES_ALIYUN / SMS_TEMPLATES_TENCENT).
NAMES = ["login_code", "pickup_notice", "refund", "application_result", "withdrawal_paid", "notice"]
ALIYUN_KEY = ("LTAI5tSimulatorKey", "aliyun-secret-0001")
TENCENT_KEY = ("AKIDSimulatorKey", "tencent-secret-0001")
TENCENT_SDK_APP_ID = "1400000001"
