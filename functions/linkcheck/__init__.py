"""linkcheck: serverless link checking on AWS.

Layout (imports flow one way, checked by tests/unit/test_layers.py; see docs/architecture.md):

- ``engine/``   the check engine: fetch (SSRF-safe), politeness, classify, platform detectors
- ``domain/``   the pure rules of monitoring: state transitions, schedule
- ``store/``    DynamoDB repositories: links, sweep state, results, events, keys, hooks, outbox
- ``sweeps/``   the sweep and the worker's logic: due links, checks, recording results
- ``notify/``   event building, SNS publishing, webhook signing and delivery
- ``handlers/`` thin Lambda entry points: api, authorizer, sweep, worker, notifier, webhooks
- ``local/``    the no-Docker local stack (moto server, HTTP API emulator, scheduler)
- ``cli.py``    the ``linkcheck`` command line
"""

__version__ = "0.1.0"
