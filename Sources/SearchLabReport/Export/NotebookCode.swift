// The Python in an exported notebook. Only SearchLab's own constants (metric names, titles)
// and PythonLiteral-quoted paths and run names are placed in code; everything a trajectory
// says is read from the database at run time.

enum NotebookCode {
    static func setup(database: String, run: String, compare: [String], graphs: String) throws -> String {
        """
        import json, pathlib, sqlite3
        import pandas as pd
        import matplotlib.pyplot as plt

        DB = \(try PythonLiteral.string(database))          # relative to this notebook
        RUN = \(try PythonLiteral.string(run))
        COMPARE = \(try PythonLiteral.strings(compare))
        GRAPHS = \(try PythonLiteral.string(graphs))   # trajectory graphs written at export
        con = sqlite3.connect(pathlib.Path(DB).resolve().as_uri() + "?mode=ro", uri=True)

        def all_metrics(run):
            \"\"\"Every metric of a run: one column per name, one row per step.\"\"\"
            df = pd.read_sql_query(
                "SELECT m.step, m.name, m.value FROM metric m JOIN run r ON r.id = m.run_id WHERE r.name = ?",
                con, params=(run,))
            return df.pivot(index="step", columns="name", values="value").sort_index()

        def select(df, names=(), prefixes=()):
            \"\"\"The named columns, then those under each prefix (sorted), as the export draws them.\"\"\"
            cols = [n for n in names if n in df.columns]
            for p in prefixes:
                cols += [c for c in sorted(df.columns) if c.startswith(p) and c not in cols]
            return df[cols]

        def plot(df, title, ylabel):
            if df.dropna(how="all").empty:
                print("no data")
                return
            df.plot(title=title, xlabel="step", ylabel=ylabel, figsize=(7, 3.5), marker=".")
            plt.show()

        metrics = all_metrics(RUN)
        print(f"{RUN}: {len(metrics)} steps, {len(metrics.columns)} metrics")
        """
    }

    static func config() -> String {
        """
        config = json.loads(con.execute("SELECT config_json FROM run WHERE name = ?", (RUN,)).fetchone()[0])
        pd.Series({k: v for k, v in sorted(config.items())}, name="value").to_frame()
        """
    }

    static func plot(_ spec: PlotSpec) throws -> String {
        let renamed = spec.labels.isEmpty ? "" : ".rename(columns=\(try PythonLiteral.object(spec.labels)))"
        return "plot(select(metrics, \(try PythonLiteral.strings(spec.metrics)), \(try PythonLiteral.strings(spec.prefixes)))\(renamed),\n"
            + "     \(try PythonLiteral.string(spec.title)), \(try PythonLiteral.string(spec.yLabel)))"
    }

    static func compare(metric: String, title: String) throws -> String {
        """
        runs = [RUN, *COMPARE]
        plot(pd.DataFrame({r: all_metrics(r).get(\(try PythonLiteral.string(metric)), pd.Series(dtype=float)) for r in runs}),
             \(try PythonLiteral.string(title)), \(try PythonLiteral.string(metric)))
        """
    }

    static func failing(limit: Int) -> String {
        """
        failing = pd.read_sql_query(\"\"\"
            SELECT t.id, t.step || ':' || t.question_id || ':' || t.sample_index AS trajectory,
                   t.data_source, t.search_count AS searches, t.extracted_answer AS answer,
                   t.golden_answers_json AS golden, t.question
            FROM trajectory t JOIN run r ON r.id = t.run_id
            WHERE r.name = ? AND t.exact_match = 0
              AND t.step = (SELECT MAX(step) FROM trajectory WHERE run_id = r.id)
            ORDER BY t.step, t.question_id, t.sample_index LIMIT \(limit)\"\"\", con, params=(RUN,))
        failing["graph"] = GRAPHS + "/trajectory-" + failing["id"].astype(str) + ".svg"
        failing.drop(columns="id")
        """
    }
}
