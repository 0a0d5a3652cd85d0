"""Stop order of delivery routes, by OR-Tools' vehicle-routing solver on a road-distance
approximation: the great-circle distance × ROAD_FACTOR (city streets run ~30 % longer than the
crow flies). Routes start at the warehouse and end at their last stop (the courier does not
come back for the sheet's sake), each with at most `max_stops` stops."""

import math
from dataclasses import dataclass

from django.conf import settings
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from tuangou.core.geo import distance_m

ROAD_FACTOR = 1.3
SOLVER = "ortools-routing"


def road_m(lat1, lng1, lat2, lng2) -> int:
    return int(round(distance_m(lat1, lng1, lat2, lng2) * ROAD_FACTOR))


@dataclass
class Route:
    stops: list[int]  # indexes into the points given, in the order to visit
    legs_m: list[int]  # road metres from the previous stop (the warehouse for the first)

    @property
    def distance_m(self) -> int:
        return sum(self.legs_m)


def plan_routes(
    depot: tuple, points: list[tuple], *, max_stops: int = 30, time_limit_ms: int | None = None
) -> list[Route]:
    """Routes visiting every point once from `depot` ((lat, lng) each), as few vehicles as
    ceil(len / max_stops), shortest total road distance the solver finds in its time limit."""
    if not points:
        return []
    nodes = [depot, *points]
    size = len(nodes)
    # Arcs back to the depot cost nothing: open routes that end at their last stop.
    matrix = [
        [0 if to == 0 or to == frm else road_m(*nodes[frm], *nodes[to]) for to in range(size)] for frm in range(size)
    ]
    vehicles = max(1, math.ceil(len(points) / max_stops))
    manager = pywrapcp.RoutingIndexManager(size, vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)

    def arc(from_index, to_index):
        return matrix[manager.IndexToNode(from_index)][manager.IndexToNode(to_index)]

    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(arc))
    demand = routing.RegisterUnaryTransitCallback(lambda index: 0 if manager.IndexToNode(index) == 0 else 1)
    routing.AddDimensionWithVehicleCapacity(demand, 0, [max_stops] * vehicles, True, "stops")

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    limit = time_limit_ms if time_limit_ms is not None else getattr(settings, "DELIVERY_SOLVER_MS", 1000)
    parameters.time_limit.FromMilliseconds(max(limit, 1))
    solution = routing.SolveWithParameters(parameters)
    if solution is None:  # cannot happen with these constraints; keep the sheet usable anyway
        return [_nearest_neighbour(matrix)]
    routes = []
    for vehicle in range(vehicles):
        index, stops, legs, previous = routing.Start(vehicle), [], [], 0
        index = solution.Value(routing.NextVar(index))
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            stops.append(node - 1)
            legs.append(matrix[previous][node])
            previous = node
            index = solution.Value(routing.NextVar(index))
        if stops:
            routes.append(Route(stops, legs))
    return routes


def _nearest_neighbour(matrix) -> Route:
    left, here, stops, legs = set(range(1, len(matrix))), 0, [], []
    while left:
        nearest = min(left, key=lambda node: matrix[here][node])
        stops.append(nearest - 1)
        legs.append(matrix[here][nearest])
        left.remove(nearest)
        here = nearest
    return Route(stops, legs)
