"""Tests of the shipped content: the rules every scenario in scenarios/ must keep."""
