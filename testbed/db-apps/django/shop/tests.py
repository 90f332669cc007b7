from decimal import Decimal

from django.test import TestCase

from shop.models import Product


class ProductTests(TestCase):
    def test_price_defaults_to_zero(self):
        product = Product.objects.create(name='ring')
        self.assertEqual(Product.objects.get(pk=product.pk).price, Decimal('0'))

    def test_name_is_kept(self):
        Product.objects.create(name='ring', price=Decimal('12.50'))
        self.assertEqual(Product.objects.get().name, 'ring')
