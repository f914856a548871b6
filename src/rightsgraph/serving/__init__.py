"""Every process and snapshot of the running service, and nothing of what it answers.

- `service.py`: `rightsgraph serve`, which processes run and in what order;
- `http_server.py`: waitress under a deadline for slow clients, and the forked readers;
- `writer.py`: the one process that writes the embedded store, supervised;
- `public_tier.py`: nginx and Oxigraph answering `/public/sparql` from a public copy;
- `query_pool.py`: SPARQL queries in worker processes that can be killed at a deadline;
- `supervisor.py`: the one loop that starts, health-checks and restarts the writer, the tier
  manager and the readers, and the rules of when a child is restarted and when the service gives up;
- `ports.py`: internal ports.
The snapshots they read are made and removed by store/snapshots.py; the Flask views they
serve are in web/.
"""
