"""msdiag: diagnose Microsoft account phone-number and sign-in problems on Windows machines."""

__version__ = "0.1.0"
