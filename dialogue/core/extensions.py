"""Extension instances only; ``create_app`` binds them to the app."""

from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from dialogue.core.rate_limits import HashedKeyLimiter

babel = Babel()
csrf = CSRFProtect()
limiter = HashedKeyLimiter(key_func=get_remote_address)
login_manager = LoginManager()
