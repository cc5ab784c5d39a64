"""model-access-checker: prove, before you deploy, that your keys can use the models you call.

The Python API lives in the modules, so `checker --version` and `checker validate` (a
pre-commit hook) load only what they use:

* ``checker.config.load_config(path)`` → ``Config`` (raises ``ConfigError``)
* ``checker.classify.classify(status, headers, body)`` → ``Outcome`` (pure)
* ``checker.audit.run_audit(config, checks, options, redactor)`` → ``RunReport``
* ``checker.outcomes.OutcomeClass``: the stable outcome classes
"""

__version__ = "0.2.0"
