"""The adversarial suite (issue 7): hostile input, faults and concurrency; see docs/threats.md."""
