from ninja import Router

from tuangou.core.api import AUTH

member_router = Router(tags=["member: notifications"], auth=AUTH)
