"""Test support: throwaway servers and databases the suite starts on loopback and stops after."""
