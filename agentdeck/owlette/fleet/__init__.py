"""The owlette fleet: machines and their agents' heartbeats, commands (queued for offline machines,
long-polled by agents), software inventories, process configurations, deployments, installers
and screenshots."""
