// Copying one run between attached databases in SQL: new run id, trajectory ids shifted past
// the output's largest, every other column as stored. Column names come from the schema
// (never from user input); every value is bound.
import GRDB
import SearchLabCore

struct RunCopy {
    let db: Database

    /// Copies run `sourceRunID` of `src` into `main` under `name`.
    func copy(sourceRunID: Int64, as name: String) throws {
        let createdOrder = (try Int64.fetchOne(db, sql: "SELECT MAX(created_order) FROM main.run") ?? 0) + 1
        try db.execute(sql: """
            INSERT INTO main.run (name, source, config_json, seed, code_version, world_digest, created_order)
            SELECT ?, source, config_json, seed, code_version, world_digest, ? FROM src.run WHERE id = ?
            """, arguments: [name, createdOrder, sourceRunID])
        let runID = db.lastInsertedRowID
        // Past the largest id the output ever gave (a resume's deleted ids are never reused).
        let lastID = try Int64.fetchOne(db, sql: """
            SELECT MAX(COALESCE((SELECT MAX(id) FROM main.trajectory), 0),
                       COALESCE((SELECT high FROM main.id_high_water WHERE table_name = 'trajectory'), 0))
            """) ?? 0
        let firstID = try Int64.fetchOne(db, sql: "SELECT MIN(id) FROM src.trajectory WHERE run_id = ?", arguments: [sourceRunID]) ?? 1
        let shift = lastID - firstID + 1
        let ofRun = "trajectory_id IN (SELECT id FROM src.trajectory WHERE run_id = ?)"

        try copyRows("step", replacing: ["run_id": "?"], where: "run_id = ?", [runID, sourceRunID])
        try copyRows("metric", replacing: ["run_id": "?"], where: "run_id = ?", [runID, sourceRunID])
        try copyRows("metric_nonfinite", replacing: ["run_id": "?"], where: "run_id = ?", [runID, sourceRunID])
        try copyRows("trajectory", replacing: ["id": "id + ?", "run_id": "?"], where: "run_id = ?", [shift, runID, sourceRunID])
        for table in ["trajectory_text", "turn", "retrieved_document", "token_view"] {
            try copyRows(table, replacing: ["trajectory_id": "trajectory_id + ?"], where: ofRun, [shift, sourceRunID])
        }
        try copyRows("retrieval_log", replacing: ["id": "NULL", "run_id": "?"], where: "run_id = ?", [runID, sourceRunID])
        try copyRows("checkpoint", replacing: ["run_id": "?"], where: "run_id = ?", [runID, sourceRunID])
    }

    /// `INSERT INTO main.T (cols) SELECT exprs FROM src.T WHERE …`, with `replacing` giving
    /// the expression for some columns (their `?` bound in column order, then the filter's).
    private func copyRows(_ table: String, replacing: [String: String], where filter: String, _ arguments: [Int64]) throws {
        let columns = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [table])
            .map { $0["name"] as String }
        let expressions = columns.map { replacing[$0] ?? "\"\($0)\"" }
        let sql = "INSERT INTO main.\"\(table)\" (\(columns.map { "\"\($0)\"" }.joined(separator: ", "))) "
            + "SELECT \(expressions.joined(separator: ", ")) FROM src.\"\(table)\" WHERE \(filter)"
            + (columns.contains("id") ? " ORDER BY id" : "")
        try db.execute(sql: sql, arguments: StatementArguments(arguments))
    }
}
