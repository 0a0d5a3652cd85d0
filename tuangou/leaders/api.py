from ninja import Router

from tuangou.core.api import AUTH

console_router = Router(tags=["console: leaders"], auth=AUTH)
member_router = Router(tags=["member: leaders"], auth=AUTH)
leader_router = Router(tags=["leader: leaders"], auth=AUTH)
