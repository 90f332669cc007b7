# The smallest settings that migrate and collectstatic need against the compose `db` service.
# The project is not called `site`: that is a standard-library module Python imports at startup,
# so `site.settings` could never be imported.
import os

SECRET_KEY = 'deploykit-testbed-not-secret'
DEBUG = False
ALLOWED_HOSTS = ['*']

INSTALLED_APPS = [
    'django.contrib.staticfiles',
    'shop',
    'blog',
]

DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.postgresql',
        'HOST': 'db',
        'NAME': 'postgres',
        'USER': 'postgres',
    }
}

# A workflow's test job runs on the runner, away from the compose network: SQLite in memory.
if os.environ.get('DJANGO_TEST_SQLITE'):
    DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}

DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
USE_TZ = True

STATIC_URL = '/static/'
STATIC_ROOT = '/static'
