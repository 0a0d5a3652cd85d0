import factory

from tuangou.accounts.models import User
from tuangou.shops.models import Shop, Staff

PASSWORD = "tuangou-test-pw"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password(PASSWORD)


class MemberUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"p1390000{n:04d}")
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop

    name = factory.Sequence(lambda n: f"鲜果小铺{n}号店")
    category = "生鲜果蔬"
    city = "厦门"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    shop = factory.SubFactory(ShopFactory)
    user = factory.SubFactory(UserFactory)
    role = Staff.Role.OWNER
