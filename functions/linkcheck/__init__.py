"""linkcheck: serverless link checking on AWS.

Layout (imports flow one way: handlers -> domain -> models):

- ``engine/``   pure check engine: fetch (SSRF-safe), politeness, classify, platform detectors
- ``store/``    DynamoDB repositories: links, results, history, events, keys, hooks
- ``notify/``   event building, SNS publishing, webhook signing and delivery
- ``handlers/`` thin Lambda entry points: api, authorizer, sweep, worker, notifier, webhooks
- ``local/``    the no-Docker local stack (moto server, HTTP API emulator, scheduler)
- ``cli.py``    the ``linkcheck`` command line
"""

__version__ = "0.1.0"
