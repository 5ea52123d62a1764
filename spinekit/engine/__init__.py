"""The engine layer: network building, the critical path passes (numpy and compiled) and simulation."""
