"""What every test suite of the apps builds on: the shared world (users of
every role, depots, vehicles, cylinder types, customers and opening stock,
made through the services) and the real-thread harness of the concurrency
tests. The root conftest.py turns them into fixtures."""
