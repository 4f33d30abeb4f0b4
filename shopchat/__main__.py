from shopchat.cli import main

raise SystemExit(main())
