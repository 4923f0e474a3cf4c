//! Entry points of `v010_token`: init, handle, query (v0.10 signatures over `Extern<S, A, Q>`).

use cosmwasm_std::{
    log, plaintext_log, to_binary, Api, BankMsg, Binary, CosmosMsg, Env, Extern, HandleResponse, HumanAddr,
    InitResponse, Querier, ReadonlyStorage, StdError, StdResult, Storage, Uint128, WasmMsg,
};

use crate::msg::{BalanceResponse, HandleMsg, InitMsg, NameResponse, QueryMsg};

const KEY_NAME: &[u8] = b"name";
/// Balances live under `"balance:" ‖ canonical address`.
const BALANCE_PREFIX: &[u8] = b"balance:";

fn balance_key<A: Api>(api: &A, address: &HumanAddr) -> StdResult<Vec<u8>> {
    let canonical = api.canonical_address(address)?;
    Ok([BALANCE_PREFIX, canonical.as_slice()].concat())
}

fn read_balance<S: ReadonlyStorage, A: Api>(storage: &S, api: &A, address: &HumanAddr) -> StdResult<u128> {
    match storage.get(&balance_key(api, address)?) {
        Some(raw) => {
            let bytes: [u8; 16] =
                raw.as_slice().try_into().map_err(|_| StdError::generic_err("corrupt balance"))?;
            Ok(u128::from_be_bytes(bytes))
        }
        None => Ok(0),
    }
}

fn write_balance<S: Storage, A: Api>(storage: &mut S, api: &A, address: &HumanAddr, value: u128) -> StdResult<()> {
    storage.set(&balance_key(api, address)?, &value.to_be_bytes());
    Ok(())
}

pub fn init<S: Storage, A: Api, Q: Querier>(
    deps: &mut Extern<S, A, Q>,
    env: Env,
    msg: InitMsg,
) -> StdResult<InitResponse> {
    deps.storage.set(KEY_NAME, msg.name.as_bytes());
    for initial in &msg.initial_balances {
        let current = read_balance(&deps.storage, &deps.api, &initial.address)?;
        let next = current.checked_add(initial.amount.u128()).ok_or_else(|| StdError::generic_err("overflow"))?;
        write_balance(&mut deps.storage, &deps.api, &initial.address, next)?;
    }
    Ok(InitResponse {
        messages: vec![],
        log: vec![log("action", "init"), plaintext_log("creator", env.message.sender)],
    })
}

pub fn handle<S: Storage, A: Api, Q: Querier>(
    deps: &mut Extern<S, A, Q>,
    env: Env,
    msg: HandleMsg,
) -> StdResult<HandleResponse> {
    match msg {
        HandleMsg::Transfer { recipient, amount } => transfer(deps, env, recipient, amount),
        HandleMsg::CallContract { contract, code_hash, msg, send } => Ok(HandleResponse {
            messages: vec![CosmosMsg::Wasm(WasmMsg::Execute {
                contract_addr: contract,
                callback_code_hash: code_hash,
                msg,
                send,
            })],
            log: vec![log("action", "call_contract")],
            data: None,
        }),
        HandleMsg::SendNative { to, amount } => Ok(bank_send(env.contract.address, to, amount)),
        HandleMsg::SendNativeFrom { from, to, amount } => Ok(bank_send(from, to, amount)),
        HandleMsg::Fail { message } => Err(StdError::generic_err(message)),
    }
}

fn transfer<S: Storage, A: Api, Q: Querier>(
    deps: &mut Extern<S, A, Q>,
    env: Env,
    recipient: HumanAddr,
    amount: Uint128,
) -> StdResult<HandleResponse> {
    let sender = env.message.sender;
    let from = read_balance(&deps.storage, &deps.api, &sender)?;
    let left = from
        .checked_sub(amount.u128())
        .ok_or_else(|| StdError::generic_err(format!("insufficient funds: balance={}, required={}", from, amount)))?;
    write_balance(&mut deps.storage, &deps.api, &sender, left)?;
    let to = read_balance(&deps.storage, &deps.api, &recipient)?;
    let to = to.checked_add(amount.u128()).ok_or_else(|| StdError::generic_err("overflow"))?;
    write_balance(&mut deps.storage, &deps.api, &recipient, to)?;
    Ok(HandleResponse {
        messages: vec![],
        log: vec![log("action", "transfer"), log("recipient", recipient.as_str()), log("amount", amount)],
        data: Some(to_binary(&BalanceResponse { amount: Uint128(left) })?),
    })
}

fn bank_send(from: HumanAddr, to: HumanAddr, amount: Vec<cosmwasm_std::Coin>) -> HandleResponse {
    HandleResponse {
        messages: vec![CosmosMsg::Bank(BankMsg::Send { from_address: from, to_address: to, amount })],
        log: vec![log("action", "send_native")],
        data: None,
    }
}

pub fn query<S: Storage, A: Api, Q: Querier>(deps: &Extern<S, A, Q>, msg: QueryMsg) -> StdResult<Binary> {
    match msg {
        QueryMsg::Balance { address } => {
            to_binary(&BalanceResponse { amount: Uint128(read_balance(&deps.storage, &deps.api, &address)?) })
        }
        QueryMsg::Name {} => {
            let raw = deps.storage.get(KEY_NAME).ok_or_else(|| StdError::not_found("name"))?;
            let name = String::from_utf8(raw).map_err(|_| StdError::generic_err("corrupt name"))?;
            to_binary(&NameResponse { name })
        }
    }
}
