"""What every domain shares and no domain owns. Nothing here imports a domain package."""
