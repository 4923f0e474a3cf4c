//! Shroud example contract `callbacks` (CosmWasm v1): drives every cross-contract path of spec secret-protocol
//! §5, §7, §8.2 and §9 — sub-messages with each `reply_on`, replies, contract→contract smart queries (also
//! recursive, to hit the query-depth limit), `BankMsg::Send`, custom events, `env.block.random`, and errors.

mod msg;

use cosmwasm_std::{
    entry_point, to_binary, to_vec, BankMsg, Binary, ContractResult, CosmosMsg, Deps, DepsMut, Env, Event,
    MessageInfo, QueryRequest, Reply, ReplyOn, Response, StdError, StdResult, SubMsg, SubMsgResult,
    SystemResult, WasmMsg, WasmQuery,
};
pub use msg::{ExecuteMsg, InstantiateMsg, LastReply, QueryMsg, ReplyOnMsg, StateResponse};

const KEY_COUNT: &[u8] = b"count";
const KEY_LAST_REPLY: &[u8] = b"last_reply";
const KEY_RANDOM: &[u8] = b"random";
const KEY_REPLY_EVENTS: &[u8] = b"reply_events";
/// A reply with this id makes `reply` itself fail, to test error propagation out of a reply.
pub const FAILING_REPLY_ID: u64 = 666;

fn count(deps: Deps) -> StdResult<u64> {
    match deps.storage.get(KEY_COUNT) {
        Some(raw) => cosmwasm_std::from_slice(&raw),
        None => Ok(0),
    }
}

fn bump(deps: DepsMut) -> StdResult<u64> {
    let next = count(deps.as_ref())? + 1;
    deps.storage.set(KEY_COUNT, &to_vec(&next)?);
    Ok(next)
}

#[entry_point]
pub fn instantiate(deps: DepsMut, env: Env, info: MessageInfo, msg: InstantiateMsg) -> StdResult<Response> {
    if msg.fail {
        return Err(StdError::generic_err("instantiate asked to fail"));
    }
    deps.storage.set(KEY_COUNT, &to_vec(&msg.count)?);
    Ok(Response::new()
        .add_attribute("action", "instantiate")
        .add_attribute_plaintext("creator", info.sender)
        .set_data(to_binary(&env.contract.address)?))
}

#[entry_point]
pub fn execute(deps: DepsMut, env: Env, info: MessageInfo, msg: ExecuteMsg) -> StdResult<Response> {
    match msg {
        ExecuteMsg::Increment {} => {
            let n = bump(deps)?;
            Ok(Response::new().add_attribute("count", n.to_string()).set_data(to_binary(&n)?))
        }
        ExecuteMsg::CallContract { contract, code_hash, msg, id, reply_on, funds, gas_limit } => {
            let wasm = WasmMsg::Execute { contract_addr: contract, code_hash, msg, funds };
            let sub = SubMsg { gas_limit, ..sub_msg(wasm, id, reply_on) };
            Ok(Response::new().add_submessage(sub).add_attribute("action", "call"))
        }
        ExecuteMsg::InstantiateContract { code_id, code_hash, msg, label, id, reply_on, funds } => {
            let wasm = WasmMsg::Instantiate { admin: None, code_id, code_hash, msg, funds, label };
            Ok(Response::new().add_submessage(sub_msg(wasm, id, reply_on)).add_attribute("action", "spawn"))
        }
        ExecuteMsg::QueryContract { contract, code_hash, msg } => {
            let answer = smart_query(deps.as_ref(), contract, code_hash, msg)?;
            Ok(Response::new().add_attribute("action", "query").set_data(answer))
        }
        ExecuteMsg::SendFunds { to, amount } => {
            deps.api.addr_validate(&to)?;
            let send = BankMsg::Send { to_address: to, amount };
            Ok(Response::new().add_message(send).add_attribute("action", "send"))
        }
        ExecuteMsg::DispatchSub { msg, id, reply_on, gas_limit } => Ok(Response::new()
            .add_submessage(SubMsg { id, msg, gas_limit, reply_on: reply_on_of(reply_on) })
            .add_attribute("action", "dispatch_sub")),
        ExecuteMsg::Dispatch { msgs } => Ok(Response::new().add_messages(msgs).add_attribute("action", "dispatch")),
        ExecuteMsg::EmitEvent { value } => Ok(Response::new().add_event(
            Event::new("shroud")
                .add_attribute("secret_value", value)
                .add_attribute_plaintext("public_sender", info.sender),
        )),
        ExecuteMsg::Random {} => {
            let random = env.block.random.ok_or_else(|| StdError::generic_err("env.block.random missing"))?;
            deps.storage.set(KEY_RANDOM, random.as_slice());
            Ok(Response::new().set_data(random))
        }
        ExecuteMsg::Fail { message } => Err(StdError::generic_err(message)),
        ExecuteMsg::IncrementThenFail {} => {
            bump(deps)?;
            Err(StdError::generic_err("failed after a write"))
        }
        ExecuteMsg::Panic {} => panic!("callbacks: panic requested"),
        ExecuteMsg::Receive { sender, from, amount, memo: _, msg } => {
            if msg.as_ref().map(|m| m.as_slice()) == Some(b"fail".as_slice()) {
                return Err(StdError::generic_err("receive asked to fail"));
            }
            let n = bump(deps)?;
            Ok(Response::new()
                .add_attribute("action", "receive")
                .add_attribute("token", info.sender)
                .add_attribute("sender", sender)
                .add_attribute("from", from)
                .add_attribute("amount", amount.to_string())
                .set_data(to_binary(&n)?))
        }
    }
}

fn reply_on_of(reply_on: ReplyOnMsg) -> ReplyOn {
    match reply_on {
        ReplyOnMsg::Always => ReplyOn::Always,
        ReplyOnMsg::Success => ReplyOn::Success,
        ReplyOnMsg::Error => ReplyOn::Error,
        ReplyOnMsg::Never => ReplyOn::Never,
    }
}

fn sub_msg(wasm: WasmMsg, id: u64, reply_on: ReplyOnMsg) -> SubMsg {
    SubMsg { id, msg: CosmosMsg::Wasm(wasm), gas_limit: None, reply_on: reply_on_of(reply_on) }
}

/// Forwards a smart query and returns the callee's answer bytes untouched (no re-serialization).
fn smart_query(deps: Deps, contract_addr: String, code_hash: String, msg: Binary) -> StdResult<Binary> {
    let request: QueryRequest<cosmwasm_std::Empty> =
        QueryRequest::Wasm(WasmQuery::Smart { contract_addr, code_hash, msg });
    raw_chain_query(deps, &to_vec(&request)?)
}

/// Sends request bytes to the chain's querier and returns the answer bytes; both error layers become errors.
fn raw_chain_query(deps: Deps, request: &[u8]) -> StdResult<Binary> {
    match deps.querier.raw_query(request) {
        SystemResult::Err(e) => Err(StdError::generic_err(format!("querier system error: {}", e))),
        SystemResult::Ok(ContractResult::Err(e)) => Err(StdError::generic_err(format!("query failed: {}", e))),
        SystemResult::Ok(ContractResult::Ok(answer)) => Ok(answer),
    }
}

#[entry_point]
pub fn reply(deps: DepsMut, _env: Env, msg: Reply) -> StdResult<Response> {
    if msg.id == FAILING_REPLY_ID {
        return Err(StdError::generic_err("reply asked to fail"));
    }
    let last = match msg.result {
        SubMsgResult::Ok(ok) => {
            // Kept apart from last_reply, and only when there are any, so replies without events write nothing more.
            if !ok.events.is_empty() {
                deps.storage.set(KEY_REPLY_EVENTS, &to_vec(&ok.events)?);
            }
            LastReply { id: msg.id, ok: true, data: ok.data, error: None }
        }
        SubMsgResult::Err(err) => LastReply { id: msg.id, ok: false, data: None, error: Some(err) },
    };
    deps.storage.set(KEY_LAST_REPLY, &to_vec(&last)?);
    let outcome = if last.ok { "ok" } else { "error" };
    let mut response =
        Response::new().add_attribute("reply_id", msg.id.to_string()).add_attribute("reply_result", outcome);
    if let Some(data) = last.data {
        // Pass the callee's data up, so a user can read the whole chain's result.
        response = response.set_data(data);
    }
    Ok(response)
}

#[entry_point]
pub fn query(deps: Deps, env: Env, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::State {} => to_binary(&StateResponse {
            count: count(deps)?,
            last_reply: match deps.storage.get(KEY_LAST_REPLY) {
                Some(raw) => Some(cosmwasm_std::from_slice(&raw)?),
                None => None,
            },
            random: deps.storage.get(KEY_RANDOM).map(Binary::from),
        }),
        QueryMsg::Echo { value } => to_binary(&value),
        QueryMsg::QueryContract { contract, code_hash, msg } => smart_query(deps, contract, code_hash, msg),
        QueryMsg::Recurse { depth, code_hash } => {
            if depth == 0 {
                return to_binary(&0u32);
            }
            let inner = to_binary(&QueryMsg::Recurse { depth: depth - 1, code_hash: code_hash.clone() })?;
            let below: u32 = cosmwasm_std::from_binary(&smart_query(
                deps,
                env.contract.address.into_string(),
                code_hash,
                inner,
            )?)?;
            to_binary(&(below + 1))
        }
        QueryMsg::Fail { message } => Err(StdError::generic_err(message)),
        QueryMsg::ChainQuery { request } => raw_chain_query(deps, &request),
        QueryMsg::ReplyEvents {} => match deps.storage.get(KEY_REPLY_EVENTS) {
            Some(raw) => Ok(Binary::from(raw)),
            None => to_binary(&Vec::<Event>::new()),
        },
    }
}
