from monitor.cli.main import main

# Guarded, as a module that may start processes should be (crawler/parsepool.py's worker is a
# plain `python -m crawler.parseworker`, which does not import it).
if __name__ == "__main__":
    main()
