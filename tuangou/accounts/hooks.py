"""Parts of a person's profile that other apps own (registered in their AppConfig.ready())."""

from tuangou.core.hooks import Hook

profile_parts = Hook(
    "profile_parts", "user=: answers {key: value} for the profile (shops: staff_of; leaders: leader_of)."
)
