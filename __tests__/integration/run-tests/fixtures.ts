// Tiny real projects for the test action: each has one passing, one failing
// and one skipped test, so every count and the failure's location are known.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
}

/** The line of the failing assertion in shop/tests.py. */
export const DJANGO_FAILING_LINE = 13

export function writeDjangoProject(root: string): void {
  write(root, {
    'manage.py': [
      '#!/usr/bin/env python3',
      'import os',
      'import sys',
      '',
      "if __name__ == '__main__':",
      "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')",
      '    from django.core.management import execute_from_command_line',
      '    execute_from_command_line(sys.argv)',
      ''
    ].join('\n'),
    'mysite/__init__.py': '',
    'mysite/urls.py': 'urlpatterns = []\n',
    'mysite/settings.py': [
      "SECRET_KEY = 'test-only'",
      "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', 'shop']",
      "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}",
      "ROOT_URLCONF = 'mysite.urls'",
      'USE_TZ = True',
      "DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'",
      ''
    ].join('\n'),
    'shop/__init__.py': '',
    'shop/tests.py': [
      'import unittest',
      '',
      'from django.contrib.auth.models import User',
      'from django.test import TestCase',
      '',
      '',
      'class CartTests(TestCase):',
      '    def test_total_adds_prices(self):',
      "        User.objects.create(username='buyer')",
      '        self.assertEqual(User.objects.count(), 1)',
      '',
      '    def test_discount_applies(self):',
      "        self.assertEqual(round(100 * 0.9), 91, 'ten percent off')",
      '',
      "    @unittest.skip('payment sandbox is down')",
      '    def test_payment(self):',
      '        pass',
      ''
    ].join('\n')
  })
}

/** The line of the failing assertion in test/cart.test.mjs. */
export const NODE_FAILING_LINE = 9

export function writeNodeProject(root: string, testScript: string): void {
  write(root, {
    'package.json': JSON.stringify(
      { name: 'shop-web', version: '1.0.0', private: true, scripts: { test: testScript } },
      null,
      2
    ),
    'package-lock.json': JSON.stringify(
      {
        name: 'shop-web',
        version: '1.0.0',
        lockfileVersion: 3,
        requires: true,
        packages: { '': { name: 'shop-web', version: '1.0.0' } }
      },
      null,
      2
    ),
    'test/cart.test.mjs': [
      "import assert from 'node:assert/strict'",
      "import { describe, it } from 'node:test'",
      '',
      "describe('cart', () => {",
      "  it('adds prices', () => {",
      '    assert.equal(1 + 2, 3)',
      '  })',
      "  it('applies the discount', () => {",
      '    assert.equal(Math.round(100 * 0.9), 91)',
      '  })',
      "  it('charges the card', { skip: 'payment sandbox is down' }, () => {})",
      '})',
      ''
    ].join('\n')
  })
}

/** The line of the failing assertion in tests/test_prices.py. */
export const PYTEST_FAILING_LINE = 9

export function writePytestProject(root: string): void {
  write(root, {
    'pytest.ini': '[pytest]\ntestpaths = tests\n',
    'prices.py':
      'def discounted(price, percent):\n    return round(price * (100 - percent) / 100)\n',
    'tests/test_prices.py': [
      'import pytest',
      'from prices import discounted',
      '',
      'def test_no_discount():',
      '    assert discounted(100, 0) == 100',
      '',
      '',
      'def test_ten_percent():',
      '    assert discounted(100, 10) == 91',
      '',
      '',
      "@pytest.mark.skip(reason='currency rounding is not decided')",
      'def test_rounding():',
      '    pass',
      ''
    ].join('\n')
  })
}

/** The line of the failing check in calc/calc_test.go. */
export const GO_FAILING_LINE = 13

export function writeGoProject(root: string): void {
  write(root, {
    'go.mod': 'module example.com/shop\n\ngo 1.19\n',
    'calc/calc.go': [
      'package calc',
      '',
      'func Discounted(price, percent int) int { return price * (100 - percent) / 100 }',
      ''
    ].join('\n'),
    'calc/calc_test.go': [
      'package calc',
      '',
      'import "testing"',
      '',
      'func TestNoDiscount(t *testing.T) {',
      '\tif got := Discounted(100, 0); got != 100 {',
      '\t\tt.Fatalf("got %d", got)',
      '\t}',
      '}',
      '',
      'func TestTenPercent(t *testing.T) {',
      '\tif got := Discounted(100, 10); got != 91 {',
      '\t\tt.Errorf("Discounted(100, 10) = %d, want 91", got)',
      '\t}',
      '}',
      '',
      'func TestRounding(t *testing.T) {',
      '\tt.Skip("currency rounding is not decided")',
      '}',
      ''
    ].join('\n')
  })
}
