"""The shared web layer: templating, navigation, access, forms and HTTP helpers. Imports no domain."""
