from victim_api.cli import main

main()
