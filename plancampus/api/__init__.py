"""The REST API (django-ninja): the NinjaAPI instance, authentication, errors, pagination.

Each app contributes a ``Router`` from its own ``api.py``; ``plancampus.api.main`` mounts them.
"""
