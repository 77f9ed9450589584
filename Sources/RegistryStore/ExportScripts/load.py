"""Reads every table of this SCN registry export with the types and value labels of codebook.csv.

    from load import load
    tables = load(".")          # the export's folder
    tables["courses"].dtypes    # nullable integers, floats, dates, booleans, categoricals with labels

Run as a script, it prints each table's rows and column types as JSON.
"""
import json
import os
import sys

import pandas as pd


def typed(values, kind, codes):
    if kind == "integer (0/1)":
        return values.map({"1": True, "0": False}).astype("boolean")
    if kind == "integer":
        return pd.to_numeric(values).astype("Int64")
    if kind.startswith("decimal"):
        return pd.to_numeric(values).astype("float64")
    if kind.startswith("date "):
        return pd.to_datetime(values, format="%Y-%m-%d")
    if kind.startswith("datetime"):
        return pd.to_datetime(values, format="%Y-%m-%dT%H:%M:%SZ", utc=True)
    if kind == "string (code)" and codes:
        pairs = [pair.split("=", 1) for pair in codes.split("; ")]
        labels = dict(pairs)
        return pd.Categorical(values.map(labels), categories=[label for _, label in pairs])
    return values


def load(directory="."):
    codebook = pd.read_csv(os.path.join(directory, "codebook.csv"), dtype=str, keep_default_na=False, encoding="utf-8")
    tables = {}
    for table, columns in codebook.groupby("table", sort=False):
        frame = pd.read_csv(os.path.join(directory, table + ".csv"), dtype=str, keep_default_na=False,
                            na_values=[""], encoding="utf-8")
        for column in columns.itertuples():
            frame[column.column] = typed(frame[column.column], column.type, column.codes)
        tables[table] = frame
    return tables


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    summary = {name: {"rows": len(frame), "types": {c: str(t) for c, t in frame.dtypes.items()}}
               for name, frame in load(folder).items()}
    print(json.dumps(summary, indent=1))
