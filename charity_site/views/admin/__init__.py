"""The staff workspace under /admin: one blueprint a module, all guarded by access.staff_blueprint."""
