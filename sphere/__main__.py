from sphere.cli import entry

entry()
