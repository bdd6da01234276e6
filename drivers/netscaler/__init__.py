"""The Citrix NetScaler load balancing driver: a small NITRO REST client, and its simulator."""
