# Flask-WTF 1.2 ships no types. Only what ParkWell uses.
from flask_wtf.csrf import CSRFProtect as CSRFProtect
from flask_wtf.form import FlaskForm as FlaskForm
