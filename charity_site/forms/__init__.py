"""WTForms forms, one module per area. Messages are Chinese through Flask-Babel."""
