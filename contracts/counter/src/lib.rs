//! Shroud example contract `counter` (CosmWasm v1 / secret-cosmwasm-std 1.1): the smallest contract that
//! exercises instantiate, execute, query, encrypted state, encrypted attributes and encrypted `data`.

use cosmwasm_std::{
    entry_point, to_binary, Binary, Deps, DepsMut, Env, MessageInfo, Response, StdError, StdResult,
};
use serde::{Deserialize, Serialize};

/// State key: one plain name; Shroud's enclave encrypts it (spec secret-protocol §6.3).
const STATE_KEY: &[u8] = b"state";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct State {
    pub count: i32,
    pub owner: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct InstantiateMsg {
    pub count: i32,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExecuteMsg {
    Increment {},
    Reset { count: i32 },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QueryMsg {
    GetCount {},
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct CountResponse {
    pub count: i32,
}

fn load(deps: Deps) -> StdResult<State> {
    let raw = deps
        .storage
        .get(STATE_KEY)
        .ok_or_else(|| StdError::not_found("counter state"))?;
    cosmwasm_std::from_slice(&raw)
}

fn save(deps: DepsMut, state: &State) -> StdResult<()> {
    deps.storage.set(STATE_KEY, &cosmwasm_std::to_vec(state)?);
    Ok(())
}

#[entry_point]
pub fn instantiate(deps: DepsMut, _env: Env, info: MessageInfo, msg: InstantiateMsg) -> StdResult<Response> {
    let state = State { count: msg.count, owner: info.sender.to_string() };
    save(deps, &state)?;
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute_plaintext("owner", info.sender)
        .add_attribute("count", msg.count.to_string()))
}

#[entry_point]
pub fn execute(deps: DepsMut, _env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    let mut state = load(deps.as_ref())?;
    let action = match msg {
        ExecuteMsg::Increment {} => {
            state.count = state
                .count
                .checked_add(1)
                .ok_or_else(|| StdError::generic_err("count overflow"))?;
            "increment"
        }
        ExecuteMsg::Reset { count } => {
            if info.sender.as_str() != state.owner {
                return Err(StdError::generic_err("unauthorized: only the owner may reset"));
            }
            state.count = count;
            "reset"
        }
    };
    save(deps, &state)?;
    Ok(Response::new()
        .add_attribute("action", action)
        .add_attribute("count", state.count.to_string())
        .set_data(to_binary(&CountResponse { count: state.count })?))
}

#[entry_point]
pub fn query(deps: Deps, _env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::GetCount {} => to_binary(&CountResponse { count: load(deps)?.count }),
    }
}
