"""The URL layout of each triple store ``coopkg push`` knows, apart from the push machinery so
that the CLI can offer ``--preset`` choices without importing the HTTP stack."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    """URL layout of one triple store product, relative to the URL the user gives."""

    query: str
    update: str
    store: str
    graph_param: str = "graph"
    #: path that takes a POST of N-Quads for several graphs and adds them in one transaction;
    #: None where we have not verified such an endpoint (then every push stages and MOVEs)
    quads: str | None = None
    #: queries and updates as an HTML form (Virtuoso never answers a direct sparql-query POST)
    form: bool = False
    #: how a user and password are sent when COOPKG_ENDPOINT_AUTH is unset
    auth: str = "basic"
    #: the query that lists graph names: ``GRAPH ?g {}`` lists empty graphs too where the store
    #: keeps them, but Virtuoso answers it with one unbound row, so it matches a triple there
    graphs_pattern: str = "GRAPH ?g { }"
    #: the update of one MOVE switch is one transaction (all graphs switch at once)
    atomic_switch: bool = True


PRESETS: dict[str, Preset] = {
    # oxigraph serve: http://host:7878
    "oxigraph": Preset(query="/query", update="/update", store="/store", quads="/store"),
    # Fuseki dataset URL: http://host:3030/ds
    "fuseki": Preset(query="/query", update="/update", store="/data"),
    # GraphDB repository URL: http://host:7200/repositories/repo
    "graphdb": Preset(query="", update="/statements", store="/rdf-graphs/service"),
    # Virtuoso: http://host:8890. Updates through /sparql-auth and the Graph Store endpoint
    # /sparql-graph-crud-auth, both Digest; a user with the SPARQL_UPDATE role (e.g. dba).
    "virtuoso": Preset(
        query="/sparql",
        update="/sparql-auth",
        store="/sparql-graph-crud-auth",
        graph_param="graph-uri",
        form=True,
        auth="digest",
        graphs_pattern="GRAPH ?g { ?s ?p ?o }",
        atomic_switch=False,
    ),
}
