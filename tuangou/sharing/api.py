from ninja import Router

from tuangou.core.api import AUTH

console_router = Router(tags=["console: sharing"], auth=AUTH)
member_router = Router(tags=["member: sharing"])
leader_router = Router(tags=["leader: sharing"], auth=AUTH)
