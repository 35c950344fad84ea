"""The province's units: their tree, the lists committees read and import, their links."""
