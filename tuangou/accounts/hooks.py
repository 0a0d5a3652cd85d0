"""Parts of a person's profile that other apps own (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

profile_parts = Hook(
    "profile_parts", "user=: answers {key: value} for the profile (shops: staff_of; leaders: leader_of)."
)

login_failed_by_phone = Hook(
    "login_failed_by_phone",
    "phone=, user=, reason=: a wrong SMS code (user None: no account has the phone); tuangou.audit "
    "records the failed login with the request's IP, outside any transaction of the caller.",
)
