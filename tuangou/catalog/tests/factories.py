import factory

from tuangou.catalog.models import Category, Product, Sku
from tuangou.shops.tests.factories import ShopFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"水果{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    shop = factory.SubFactory(ShopFactory)
    category = factory.SubFactory(CategoryFactory, shop=factory.SelfAttribute("..shop"))
    name = factory.Sequence(lambda n: f"土鸡蛋{n}")
    unit = "盒"


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    product = factory.SubFactory(ProductFactory)
    shop = factory.SelfAttribute("product.shop")
    spec = "30枚"
    price_fen = 3990
    cost_fen = 2800
    stock = 100
