from sphere.cli import main

main()
