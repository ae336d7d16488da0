"""HTTP routes of the api function, one Powertools ``Router`` per resource.

``handlers/api.py`` includes every router. Route modules must not import boto3/botocore at
module level (the ``/check`` cold start stays free of them): use ``linkcheck.aws`` lazily.
"""
