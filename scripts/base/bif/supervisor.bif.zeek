##! Zest's declarations for Zeek 5.2.2's src/supervisor/supervisor.bif.

export {

module Supervisor;

type ClusterRole: enum {
    NONE,
    LOGGER,
    MANAGER,
    PROXY,
    WORKER,
};

global Supervisor::__status: function(node: string): Supervisor::Status;
global Supervisor::__create: function(node: Supervisor::NodeConfig): string;
global Supervisor::__destroy: function(node: string): bool;
global Supervisor::__restart: function(node: string): bool;
global Supervisor::__init_cluster: function(): bool;
global Supervisor::__is_supervised: function(): bool;
global Supervisor::__node: function(): Supervisor::NodeConfig;
global Supervisor::__is_supervisor: function(): bool;
global Supervisor::__stem_pid: function(): int;

}

module GLOBAL;
