"""Allocation lists, sealed storage, the randomise service, blinding rules, emergency unblinding."""
