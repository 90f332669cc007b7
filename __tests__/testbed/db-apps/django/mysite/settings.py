# The smallest settings that migrate and collectstatic need against the compose `db` service.
# The project is not called `site`: that is a standard-library module Python imports at startup,
# so `site.settings` could never be imported.
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

DEFAULT_AUTO_FIELD = 'django.db.models.AutoField'
USE_TZ = True

STATIC_URL = '/static/'
STATIC_ROOT = '/static'
