"""The dashboard: HTML shells and JavaScript modules that read only the public JSON API."""
