"""Pantau as a running service: the server's hold on the store, commands handed to it, the inbox, backups."""
