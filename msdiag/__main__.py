from msdiag.cli import main

main()
